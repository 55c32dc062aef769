/** A checkpoint that reads fine but is not a Network-in-Network model the converter knows. */
export class ArchitectureError extends Error {
  override readonly name = 'ArchitectureError';
}
