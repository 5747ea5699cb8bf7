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
- Every file's SHA-256 is in manifest.json; \`sift dataset verify\` checks them.
`;
}
