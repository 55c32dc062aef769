import type { Classifier, ClassifyOptions } from './classifier-interface.js';
import type { Predictions } from './predictions.js';

/**
 * The one-call `classify(image, options)` of both platforms: models named by path or URL are loaded once per
 * (model, load options) and kept; models given as bytes are loaded for the call and disposed after it.
 */
export function cachedClassify<Image, Model, LoadOptions extends object>(
  load: (model: Model | undefined, options: LoadOptions) => Promise<Classifier<Image>>,
  /** The cache key of a model named by path or URL; undefined for models given as bytes, which are not kept. */
  nameOf: (model: Model | undefined) => string | undefined,
) {
  const cache = new Map<string, Promise<Classifier<Image>>>();
  return async (
    image: Image,
    options: ClassifyOptions & LoadOptions & { readonly model?: Model },
  ): Promise<Predictions> => {
    // onProgress is told of the load (when this call loads) and of the run; it, top and maps are no part of the
    // cache key.
    const { model, top, maps, onProgress, ...loadOptions } = options;
    const name = nameOf(model);
    if (name === undefined) {
      const classifier = await load(model, { ...loadOptions, onProgress } as LoadOptions);
      try {
        return await classifier.classify(image, { top, maps, onProgress });
      } finally {
        await classifier.dispose();
      }
    }
    const key = JSON.stringify([name, loadOptions]);
    let classifier = cache.get(key);
    if (classifier === undefined) {
      classifier = load(model, { ...loadOptions, onProgress } as LoadOptions);
      cache.set(key, classifier);
      classifier.catch(() => cache.delete(key));
    }
    return (await classifier).classify(image, { top, maps, onProgress });
  };
}
