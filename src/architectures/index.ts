/**
 * The architectures layer's entry (browser-safe): the zoo both the converter and training build on. The
 * `Architecture` type, the registry, recognition from shapes, user JSON, the one layer walk, io names, labels.
 */
