/** The serve layer's entry (Node-only): the Open Inference Protocol server, its client, Triton export. */
