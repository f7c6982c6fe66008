// How denial messages name each kind: `key pair "k"`, `floating IP "f"`, as OpenStack's
// own messages do (the Kind name is for kubectl, this is for people).
import type { KindDefinition } from '../../operator/kinds/kind.js';

/** Kinds whose name is more than one word; every other kind reads as its name in lower case. */
const phrases: Record<string, string> = {
  KeyPair: 'key pair',
  FloatingIP: 'floating IP',
  SecurityGroup: 'security group',
};

/** The noun a message uses for a kind: "security group", "instance". */
export function nounOf(kind: Pick<KindDefinition, 'kind'>): string {
  return phrases[kind.kind] ?? kind.kind.toLowerCase();
}
