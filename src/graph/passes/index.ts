export { eliminateDeadNodes } from './dead-nodes.js';
export { convertInitializersToFloat16 } from './float16-initializers.js';
export { removeIdentities } from './identity.js';
export { runPasses, type Pass, type PassResult } from './pass.js';
export { removeUnusedInitializers } from './unused-initializers.js';
