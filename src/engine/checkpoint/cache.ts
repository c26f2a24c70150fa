/**
 * The engine's loaded checkpoints: one per path, loaded again when its model.json changes on disk,
 * and bounded by weight bytes, least recently used first out (TracIn over many checkpoints and drift
 * comparisons load many). A running request leases the checkpoints it uses: a leased checkpoint
 * is never disposed under it; one evicted or replaced while leased is disposed when the last lease
 * on it ends.
 */
import { hasStamp } from '../common/fileStamp';
import { disposeCheckpoint, loadCheckpoint, type Checkpoint } from './load';

/** 1 GiB of weights by default. */
export const DEFAULT_CHECKPOINT_BYTES = 2 ** 30;

export interface CheckpointCacheOptions {
  /** Weight bytes the cache keeps loaded when no request uses them (default DEFAULT_CHECKPOINT_BYTES). */
  maxBytes?: number;
  /** Loads a checkpoint (default loadCheckpoint). */
  load?: (file: string) => Promise<Checkpoint>;
  onLoad?: (checkpoint: Checkpoint) => void;
}

interface Entry {
  path: string;
  loading: Promise<Checkpoint>;
  /** Set once loaded. */
  checkpoint: Checkpoint | null;
  /** Leases holding it. */
  users: number;
  /** In the table (false once evicted, replaced or cleared: then disposed when unused). */
  cached: boolean;
  disposed: boolean;
}

/** The checkpoints one request uses; release() when the request ends. */
export interface CheckpointLease {
  get(modelPath: string): Promise<Checkpoint>;
  release(): void;
}

export class CheckpointCache {
  /** Insertion order is recency order: a use moves an entry to the end. */
  private readonly entries = new Map<string, Entry>();
  private readonly maxBytes: number;
  private readonly load: (file: string) => Promise<Checkpoint>;

  constructor(private readonly options: CheckpointCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_CHECKPOINT_BYTES;
    this.load = options.load ?? loadCheckpoint;
  }

  /** A lease for one request. */
  lease(): CheckpointLease {
    const held = new Set<Entry>();
    let released = false;
    return {
      get: async (modelPath) => {
        if (released) throw new Error('CheckpointLease.get after release');
        const entry = await this.acquire(modelPath);
        if (held.has(entry)) entry.users--; // this lease counts once
        else held.add(entry);
        try {
          return await entry.loading;
        } finally {
          this.evict();
        }
      },
      release: () => {
        if (released) return;
        released = true;
        for (const entry of held) {
          entry.users--;
          this.disposeIfDone(entry);
        }
        held.clear();
        this.evict();
      },
    };
  }

  /** A checkpoint without a lease: for callers that use it at once and run nothing concurrently. */
  async get(modelPath: string): Promise<Checkpoint> {
    const lease = this.lease();
    try {
      return await lease.get(modelPath);
    } finally {
      lease.release();
    }
  }

  /** Paths loaded (or loading), least recently used first. */
  paths(): string[] {
    return [...this.entries.keys()];
  }

  /** Weight bytes of the loaded checkpoints. */
  bytes(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.checkpoint?.weightBytes ?? 0;
    return total;
  }

  /** Forgets every checkpoint (disposing those no request uses now, the others when their requests end). */
  clear(): void {
    for (const entry of [...this.entries.values()]) this.retire(entry);
  }

  /** The entry for `modelPath`, with one more user counted (synchronously with its lookup, so nothing evicts it in between). */
  private async acquire(modelPath: string): Promise<Entry> {
    const cached = this.entries.get(modelPath);
    if (cached) {
      const checkpoint = await cached.loading.catch(() => null);
      if (this.entries.get(modelPath) === cached && checkpoint && hasStamp(checkpoint.path, checkpoint.stamp)) {
        this.entries.delete(modelPath);
        this.entries.set(modelPath, cached); // most recently used
        cached.users++;
        return cached;
      }
      if (this.entries.get(modelPath) === cached) this.retire(cached);
      else if (this.entries.has(modelPath)) return this.acquire(modelPath); // another caller reloaded it meanwhile
    }
    const entry: Entry = { path: modelPath, loading: this.load(modelPath), checkpoint: null, users: 1, cached: true, disposed: false };
    this.entries.set(modelPath, entry);
    entry.loading.then(
      (checkpoint) => {
        entry.checkpoint = checkpoint;
        this.options.onLoad?.(checkpoint);
        this.disposeIfDone(entry);
      },
      () => {
        if (this.entries.get(modelPath) === entry) this.entries.delete(modelPath);
      },
    );
    return entry;
  }

  /** Drops least recently used, unleased checkpoints until the rest fit the budget. */
  private evict(): void {
    let total = this.bytes();
    for (const entry of [...this.entries.values()]) {
      if (total <= this.maxBytes) return;
      if (entry.users > 0 || !entry.checkpoint) continue;
      total -= entry.checkpoint.weightBytes;
      this.retire(entry);
    }
  }

  private retire(entry: Entry): void {
    if (this.entries.get(entry.path) === entry) this.entries.delete(entry.path);
    entry.cached = false;
    this.disposeIfDone(entry);
  }

  private disposeIfDone(entry: Entry): void {
    if (entry.cached || entry.users > 0 || !entry.checkpoint || entry.disposed) return;
    entry.disposed = true;
    disposeCheckpoint(entry.checkpoint);
  }
}
