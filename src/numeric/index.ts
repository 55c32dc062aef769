/** The numeric layer's entry (browser-safe): float16 conversions and the seeded `Random`. */
