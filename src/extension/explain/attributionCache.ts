/**
 * The latest attribution per input file and per model, kept by the host whenever a saliency
 * request completes, with a small overlay PNG in the extension's storage for hovers.
 * Hovers read it; nothing here computes anything.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SaliencyResult } from '../../protocol/saliency';
import { renderOverlayPng } from './overlayPng';

export interface CachedAttribution {
  modelPath: string;
  inputPath: string;
  result: SaliencyResult;
  /** The overlay thumbnail, when the input is spatial and the file could be written. */
  thumbnail?: vscode.Uri;
  at: number;
}

const MAX_ENTRIES = 64;
const THUMBNAIL_SIZE = 128;

export class AttributionCache {
  private readonly byInput = new Map<string, CachedAttribution>();
  private readonly byModel = new Map<string, CachedAttribution>();
  private generation = 0;
  private readonly emitter = new vscode.EventEmitter<CachedAttribution>();
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly storage: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
  ) {
    // Thumbnails of an earlier session: nothing refers to them any more.
    this.cleaned = Promise.resolve(vscode.workspace.fs.delete(this.dir, { recursive: true })).catch(() => undefined);
  }

  private readonly cleaned: Promise<unknown>;

  private get dir(): vscode.Uri {
    return vscode.Uri.joinPath(this.storage, 'attributions');
  }

  /** Records a completed attribution; resolves once its thumbnail is written (or could not be). */
  async put(modelPath: string, inputPath: string, result: SaliencyResult): Promise<CachedAttribution> {
    const entry: CachedAttribution = { modelPath: key(modelPath), inputPath: key(inputPath), result, at: Date.now() };
    const previous = [this.byInput.get(entry.inputPath)?.thumbnail, this.byModel.get(entry.modelPath)?.thumbnail];
    remember(this.byInput, entry.inputPath, entry);
    remember(this.byModel, entry.modelPath, entry);
    try {
      const png = renderOverlayPng(result, THUMBNAIL_SIZE);
      if (png) {
        await this.cleaned;
        // A fresh name per result: the workbench caches hover images by URI.
        const hash = createHash('sha1').update(`${entry.modelPath}\n${entry.inputPath}`).digest('hex').slice(0, 16);
        await vscode.workspace.fs.createDirectory(this.dir);
        const file = vscode.Uri.joinPath(this.dir, `${hash}-${++this.generation}-${Date.now().toString(36)}.png`);
        await vscode.workspace.fs.writeFile(file, png);
        entry.thumbnail = file;
        for (const old of previous) {
          if (old && !this.inUse(old)) void vscode.workspace.fs.delete(old).then(undefined, () => undefined);
        }
      }
    } catch (err) {
      this.output.warn(`Could not write the attribution thumbnail: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.emitter.fire(entry);
    return entry;
  }

  forInput(inputPath: string): CachedAttribution | undefined {
    return this.byInput.get(key(inputPath));
  }

  forModel(modelPath: string): CachedAttribution | undefined {
    return this.byModel.get(key(modelPath));
  }

  private inUse(uri: vscode.Uri): boolean {
    const s = uri.toString();
    return [...this.byInput.values(), ...this.byModel.values()].some((e) => e.thumbnail?.toString() === s);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

function key(p: string): string {
  const resolved = path.resolve(p);
  return process.platform === 'win32' ? resolved.toLowerCase() : resolved;
}

function remember(map: Map<string, CachedAttribution>, k: string, entry: CachedAttribution): void {
  map.delete(k);
  map.set(k, entry);
  while (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as string);
}
