import { isForwardableParam, type Params } from './params.js';

export interface ParamLayers {
  /** DEFAULT_CREATE_PARAMS / DEFAULT_JOIN_PARAMS */
  envDefaults: Params;
  /** tenant settings with override ≠ "true" */
  tenantDefaults: Params;
  /** the request's parameters after the balancer's own changes */
  request: Params;
  /** OVERRIDE_CREATE_PARAMS / OVERRIDE_JOIN_PARAMS */
  envOverrides: Params;
  /** tenant settings with override = "true" */
  tenantOverrides: Params;
}

const EMPTY: Params = new Map();

/**
 * Weakest to strongest: env defaults, tenant defaults, request, env overrides, tenant overrides.
 * Key order: env default keys, then tenant default keys, then request keys, then new override keys;
 * an existing key keeps its position and only changes value (Scalelite's Hash#merge order).
 * `meta_` parameters BBB would echo as a tag no strict XML parser takes (`isForwardableParam`) are
 * dropped, whichever layer they come from.
 */
export function mergeParams(layers: Partial<ParamLayers> & { request: Params }): Params {
  const out: Params = new Map();
  const set = (k: string, v: string | null) => {
    if (isForwardableParam(k)) out.set(k, v);
  };
  const tenantDefaults = layers.tenantDefaults ?? EMPTY;
  for (const [k, v] of layers.envDefaults ?? EMPTY) set(k, v);
  for (const [k, v] of tenantDefaults) set(k, v);
  // The request beats both default layers, but a default key keeps its earlier position.
  for (const [k, v] of layers.request) set(k, v);
  for (const [k, v] of layers.envOverrides ?? EMPTY) set(k, v);
  for (const [k, v] of layers.tenantOverrides ?? EMPTY) set(k, v);
  return out;
}

/** Drops the given names (and the reserved `checksum`, `format`, `controller`, `action`). */
export function passThrough(params: Params, excluded: readonly string[]): Params {
  const drop = new Set(['checksum', 'format', 'controller', 'action', ...excluded]);
  const out: Params = new Map();
  for (const [k, v] of params) if (!drop.has(k)) out.set(k, v);
  return out;
}
