/**
 * The io layer's entry (Node-only as a whole): regular-file reads that refuse what is not a regular file, atomic
 * writes, SHA-256, the CPU core count, URL refusal, the runtime directory. The layers above import io through here.
 */
