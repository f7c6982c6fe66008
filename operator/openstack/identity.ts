// Keystone moved to identity/; these names stay here until the framework's auth replaces them.
export { identityRouter } from './identity/router.js';
export { requireAuth } from './identity/sessions.js';
