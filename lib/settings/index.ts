/** lib/settings: the schema, the merge (policy > user > defaults) and what the background derives from it. Pure. */
export * from './schema';
export * from './origin';
export { LEAF_PATHS, leafOf, validateLeaf, getAt } from './fields';
export * from './merge';
export * from './patch';
export * from './combined';
export * from './engine-config';
export * from './source';
