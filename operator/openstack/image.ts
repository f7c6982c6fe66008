// Glance moved to image/; this name stays here until the framework's service registry mounts it.
export { imageRouter } from './image/router.js';
