/** The schema layer's entry (browser-safe): untrusted JSON checked against valibot schemas, in one message style. */
