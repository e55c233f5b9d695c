import type { Clock } from './unknown-kids';

/** A peer whose token verified counts as proven (its network has a key-fetch allowance of its own) for this long. */
export const PROVEN_PEER_MS = 24 * 60 * 60_000;
/** Addresses one subject (the verified token's issuer + sub) keeps proven at most: the most recent ones. */
export const PROVEN_PEERS_PER_SUBJECT = 2;
/** (subject, address) pairs remembered at most (least recently proven forgotten first). */
export const MAX_PROVEN_PEERS = 10_000;

interface Proof {
  readonly peer: string;
  readonly subject: string;
  readonly at: number;
}

/**
 * Peers (exact addresses, not networks: a neighbour in the proxy's /24 is not
 * proven by it) whose tokens verified in the last PROVEN_PEER_MS, remembered
 * per subject: a subject proves its PROVEN_PEERS_PER_SUBJECT most recent
 * addresses, so one token sent from many addresses proves two of them, not
 * all (R2-2). An address stays proven while any subject's proof of it does:
 * an insider moving on un-proves only their own proof, never the proxy's
 * other users'. At most MAX_PROVEN_PEERS proofs (LRU).
 */
export class ProvenPeers {
  /** `${subject}\n${peer}` → proof, least recently proven first. */
  private readonly proofs = new Map<string, Proof>();
  /** Subject → its proven addresses, oldest first. */
  private readonly bySubject = new Map<string, string[]>();
  /** Address → the keys of its proofs, oldest first. */
  private readonly byPeer = new Map<string, Set<string>>();

  constructor(private readonly now: Clock) {}

  prove(peer: string | null | undefined, subject: string): void {
    if (!peer) return;
    const key = `${subject}\n${peer}`;
    this.forget(key);
    this.proofs.set(key, { peer, subject, at: this.now() });
    const peers = this.bySubject.get(subject) ?? [];
    peers.push(peer);
    this.bySubject.set(subject, peers);
    const keys = this.byPeer.get(peer) ?? new Set<string>();
    keys.add(key);
    this.byPeer.set(peer, keys);
    while (peers.length > PROVEN_PEERS_PER_SUBJECT) this.forget(`${subject}\n${peers[0]}`);
    while (this.proofs.size > MAX_PROVEN_PEERS) this.forget(this.proofs.keys().next().value as string);
  }

  isProven(peer: string | null | undefined): boolean {
    const keys = peer ? this.byPeer.get(peer) : undefined;
    if (!keys) return false;
    const at = this.now();
    for (const key of keys) {
      const proof = this.proofs.get(key);
      if (proof && at - proof.at < PROVEN_PEER_MS) return true;
      this.forget(key); // expired (oldest first): later proofs may still hold
    }
    return false;
  }

  /** Proofs held (for tests). */
  get size(): number {
    return this.proofs.size;
  }

  private forget(key: string): void {
    const proof = this.proofs.get(key);
    if (!proof) return;
    this.proofs.delete(key);
    const peers = this.bySubject.get(proof.subject);
    if (peers) {
      const i = peers.indexOf(proof.peer);
      if (i >= 0) peers.splice(i, 1);
      if (peers.length === 0) this.bySubject.delete(proof.subject);
    }
    const keys = this.byPeer.get(proof.peer);
    if (keys) {
      keys.delete(key);
      if (keys.size === 0) this.byPeer.delete(proof.peer);
    }
  }
}
