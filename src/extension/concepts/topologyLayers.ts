/**
 * The layer names and classes a layers model's model.json declares, read from its topology without
 * loading the model (hovers never start computation): Sequential and functional models, Keras'
 * model_config wrapper, and nested models' layers. Graph models name nodes, not layers: none here
 * (their nodes are known once their panel has loaded them).
 */

export interface DeclaredLayer {
  name: string;
  className: string;
}

/** At most this many layers are read from one topology. */
const MAX_LAYERS = 5000;

export function topologyLayers(modelJson: unknown): DeclaredLayer[] {
  if (!isObject(modelJson)) return [];
  const topology = modelJson.modelTopology;
  if (!isObject(topology)) return [];
  const root = isObject(topology.model_config) ? topology.model_config : topology;
  const out: DeclaredLayer[] = [];
  collect(root, out, 0);
  return out;
}

/** A model's layers (its config's `layers`, or a Sequential's config as a list), and theirs when they are models. */
function collect(model: Record<string, unknown>, out: DeclaredLayer[], depth: number): void {
  if (depth > 8) return;
  const config = model.config;
  const layers = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : [];
  for (const layer of layers) {
    if (out.length >= MAX_LAYERS || !isObject(layer)) continue;
    const name = isObject(layer.config) && typeof layer.config.name === 'string' ? layer.config.name : typeof layer.name === 'string' ? layer.name : undefined;
    const className = typeof layer.class_name === 'string' ? layer.class_name : '?';
    if (name && !out.some((l) => l.name === name)) out.push({ name, className });
    if (isObject(layer.config) && (Array.isArray(layer.config.layers) || ['Sequential', 'Model', 'Functional'].includes(className))) collect(layer, out, depth + 1);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
