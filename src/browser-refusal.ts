/**
 * What `import 'nin-sdk'` resolves to in a browser bundle (package.json `exports`, condition `browser`): the Node
 * entry needs sharp, onnxruntime-node and the file system, so a bundler that followed it would fail on a Node
 * built-in far from the cause. This says the cause instead, when the page loads.
 */
throw new Error('nin-sdk is the Node entry point: in a browser, use nin-sdk/web');
