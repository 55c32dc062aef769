/**
 * The formats layer's entry (browser-safe): files read from hostile bytes. PyTorch checkpoints (src/formats/pth):
 * reading them into tensors and inert placeholders, and writing them (`.pth` export).
 */
