/** The datasets layer's entry (Node-only): labelled images from folders and tars. */
