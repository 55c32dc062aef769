import { startsWith, viewOf, type HeaderReading } from './image-header.js';

/**
 * A PNG's size from its IHDR chunk, which the format requires first. libpng decodes the default image only, so an
 * APNG's other frames cost nothing: one frame.
 */
export function readPng(bytes: Uint8Array): HeaderReading {
  if (bytes.length < 24 || !startsWith(bytes, 'IHDR', 12))
    return { format: 'png', problem: 'no IHDR chunk at its start' };
  const view = viewOf(bytes);
  return { format: 'png', width: view.getUint32(16), height: view.getUint32(20), frames: 1, scans: 1 };
}
