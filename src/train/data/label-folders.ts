/**
 * The class folder of each label, for datasets laid out as `<class>/<image>`: a label is its folder's name, except
 * that '/' cannot be in a name and becomes '_' (d2l's Fashion-MNIST `T-shirt/top` → `T-shirt_top`). Every reader
 * and writer of label folders names them through here.
 */
export function labelFolderName(label: string): string {
  return label.replaceAll('/', '_');
}

/** Label index by folder name; two labels that would share a folder are refused, naming both. */
export function labelIndexByFolder(labels: readonly string[]): Map<string, number> {
  const indexOf = new Map<string, number>();
  labels.forEach((label, index) => {
    const folder = labelFolderName(label);
    const other = indexOf.get(folder);
    if (other !== undefined)
      throw new RangeError(
        `the labels '${labels[other]}' and '${label}' would both be read from the folder '${folder}'`,
      );
    indexOf.set(folder, index);
  });
  return indexOf;
}
