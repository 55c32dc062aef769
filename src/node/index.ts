/** The node layer's entry: the Node API's helpers (classify from files, the embedded model, explain, scans). */
