import { CatalogError } from '../../core/errors.js';
import { type ValidateResult, validateOperation } from '../../operations/validate.js';
import { renderCatalogWarnings, renderValidSummary, validateReportJson } from '../../render/validate-report.js';
import { type CatalogPathOptions, catalogFileOf, catalogLoadOptions } from '../catalog-options.js';
import { EXIT_ERROR, EXIT_OK } from '../exit.js';
import { type Io, writeJson } from '../output.js';

export interface ValidateOptions extends Omit<CatalogPathOptions, 'state'> {
  json?: boolean;
}

/**
 * `validate`: schema and semantic checks, offline. Warnings go to stderr and leave the exit code 0; with `--json`,
 * one document on stdout says it all, invalid catalogs included (exit 1).
 */
export async function validateCommand(options: ValidateOptions, io: Io): Promise<number> {
  const { path, displayPath } = catalogFileOf(options, io);
  let result: ValidateResult;
  try {
    result = await validateOperation(path, catalogLoadOptions(options, io));
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error;
    if (options.json) {
      writeJson(io.stdout, validateReportJson(error.problems, error.warnings));
      return EXIT_ERROR;
    }
    io.stderr.write(renderCatalogWarnings(error.warnings));
    throw error;
  }
  if (options.json) {
    writeJson(io.stdout, validateReportJson([], result.warnings, result.discoveringStreams));
    return EXIT_OK;
  }
  io.stderr.write(renderCatalogWarnings(result.warnings));
  io.stdout.write(renderValidSummary(displayPath, { ...result, warnings: result.warnings.length }));
  return EXIT_OK;
}
