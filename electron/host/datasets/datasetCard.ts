/** The dataset card (`README.md`) of a version: a YAML header Hugging Face `datasets` loads, then its provenance in prose. */
import type { DatasetManifest } from '../../../shared/contract.js';
import { SPLITS } from './datasetSplits.js';

export function datasetCard(manifest: DatasetManifest): string {
  const parquet = manifest.files.filter((file) => file.format === 'parquet');
  const files = parquet.length > 0 ? parquet : manifest.files;
  const yaml = [
    '---',
    'configs:',
    '- config_name: default',
    '  data_files:',
    ...files.flatMap((file) => [`  - split: ${file.split}`, `    path: ${file.path}`]),
    ...(manifest.media ? datasetInfoFeatures(manifest) : []),
    '---',
  ];
  return `${yaml.join('\n')}
# ${manifest.name} v${manifest.version}

Labeled with Sift under policy ${manifest.policyVersion}${manifest.parentVersion ? `; follows v${manifest.parentVersion}` : ''}. Created ${manifest.createdAt}.

| split | rows |
|---|---|
${SPLITS.map((split) => `| ${split} | ${manifest.rows[split] ?? 0} |`).join('\n')}

- Columns: ${manifest.labelSchema.columns.join(', ')} (${manifest.labelSchema.values}).
- Account features (${manifest.features.columns.map((column) => column.name).join(', ')}) are as of each item's upload, from Sift's \`${manifest.features.view}\` view: nothing that happened later counts${manifest.features.available ? '' : ' (this workspace lacked the content and users tables they need, so they are empty)'}.
- Splits by time: train before ${manifest.splits.cut}, validation until ${manifest.splits.validationEnd}, test after; near-duplicates kept in one split (${manifest.splits.nearDuplicatesMoved} moved).
- Labels: ${manifest.adjudicationRule} (${manifest.contestedItemsLeftOut} left out).
- Annotators: ${manifest.annotators.join(', ')}. Sessions: ${manifest.sessions.map((session) => `${session.name} (${session.strategy}, ${session.model} ${session.modelVersion})`).join('; ') || 'all labels'}.
${manifest.media ? mediaLines(manifest.media) : ''}- Every file's SHA-256 is in manifest.json; \`sift dataset verify\` checks them.
`;
}

/**
 * The rows' features, declared only when the version carries media: the image column as an \`Image\` feature (a
 * path relative to the version; \`sequence: image\` when some item has several), which Hugging Face \`datasets\`
 * decodes on access. Every column is declared, as \`datasets\` casts the Parquet files to the features listed.
 */
function datasetInfoFeatures(manifest: DatasetManifest): string[] {
  const media = manifest.media!;
  const { columns, categories } = manifest.labelSchema;
  const accountFeatures = new Set(manifest.features.columns.map((column) => column.name));
  const kinds = new Map(media.columns.map((column) => [column.name as string, column.list]));
  const feature = (name: string): string[] => {
    if (kinds.has(name)) {
      // Images decode as pictures; videos stay paths (\`datasets\`' Video feature is experimental).
      const type = name === 'image' ? 'image' : 'string';
      return kinds.get(name) ? [`    sequence: ${type}`] : [`    dtype: ${type}`];
    }
    if (name === 'media_sha256') return ['    sequence: string'];
    if (name === 'image_emb') return ['    sequence: float32'];
    if (accountFeatures.has(name)) return ['    dtype: float64'];
    if (categories.includes(name)) return ['    dtype: int32'];
    return ['    dtype: string'];
  };
  return ['dataset_info:', '  features:', ...columns.flatMap((name) => [`  - name: ${name}`, ...feature(name)])];
}

function mediaLines(media: NonNullable<DatasetManifest['media']>): string {
  const withheld = media.withheld.restricted + media.withheld.purged + media.withheld.error;
  const columns = media.columns.map((column) => `\`${column.name}\`${column.list ? ' (a list per row)' : ''}`);
  return `- Media: ${media.files.length} file(s) in \`media/\`, one per distinct file, named by SHA-256. ${columns.join(' and ')} hold paths relative to this folder (open the dataset from inside it: \`datasets\` opens an image path from the working directory); \`media_sha256\` lists every file of an item, \`image_emb\` its image embedding where there is one (the content's own${media.embeddingEncoder ? `, else computed by ${media.embeddingEncoder.name} ${media.embeddingEncoder.version}` : ''}).
- Media withheld: ${withheld} file(s) carry their hash (and embedding) but not their bytes (${media.withheld.restricted} restricted, ${media.withheld.purged} purged, ${media.withheld.error} unreadable).
`;
}
