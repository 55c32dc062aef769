/** The train layer's Node entry: a training run's files, training datasets read from files and their cache. */
