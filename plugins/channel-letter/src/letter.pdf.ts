import { PDFArray, PDFDict, PDFDocument, PDFName, PDFObject, PDFRef, PDFString, PDFHexString } from 'pdf-lib';

/** Named destinations of a PDF (the catalog's /Dests dictionary and the /Names /Dests tree), as page indexes. */
export function destinationPages(doc: PDFDocument): Map<string, number> {
  const pageIndex = new Map(doc.getPages().map((page, index) => [page.ref.toString(), index]));
  const out = new Map<string, number>();
  const add = (name: string, value: PDFObject | undefined) => {
    let dest = value instanceof PDFRef ? doc.context.lookup(value) : value;
    if (dest instanceof PDFDict) dest = dest.lookup(PDFName.of('D'));
    if (!(dest instanceof PDFArray)) return;
    const page = dest.get(0);
    const index = page instanceof PDFRef ? pageIndex.get(page.toString()) : undefined;
    if (index !== undefined) out.set(name, index);
  };
  const dests = doc.catalog.lookupMaybe(PDFName.of('Dests'), PDFDict);
  for (const [key, value] of dests?.entries() ?? []) add(key.decodeText(), value);
  const walk = (node: PDFDict | undefined, depth: number) => {
    if (!node || depth > 32) return;
    const names = node.lookupMaybe(PDFName.of('Names'), PDFArray);
    for (let i = 0; names && i + 1 < names.size(); i += 2) {
      const key = names.lookup(i);
      if (key instanceof PDFString || key instanceof PDFHexString) add(key.decodeText(), names.get(i + 1));
    }
    const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
    for (let i = 0; kids && i < kids.size(); i++) walk(kids.lookupMaybe(i, PDFDict), depth + 1);
  };
  walk(doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict)?.lookupMaybe(PDFName.of('Dests'), PDFDict), 0);
  return out;
}

/**
 * Pages of each letter in a printed chunk, from the destinations `L0…L<n-1>` at each letter's
 * first page. Throws unless they start on the first page, rise strictly and account for every
 * page of the file, so a count that reaches the invoice is a count of the printed pages.
 */
export function letterPageSpans(doc: PDFDocument, letters: number): number[] {
  const destinations = destinationPages(doc);
  const total = doc.getPageCount();
  const starts = Array.from({ length: letters }, (_, index) => destinations.get(`L${index}`));
  const missing = starts.findIndex((start) => start === undefined);
  if (missing >= 0) throw new Error(`the PDF has no destination for letter ${missing} of ${letters}`);
  const first = starts as number[];
  if (first[0] !== 0) throw new Error(`the first letter starts on page ${first[0] + 1}, not on page 1`);
  const spans = first.map((start, index) => (index + 1 < letters ? first[index + 1] : total) - start);
  const bad = spans.findIndex((pages) => pages < 1);
  if (bad >= 0) throw new Error(`letter ${bad} has ${spans[bad]} pages: letters overlap in the PDF`);
  return spans;
}

/** One print file from the chunks, in order. */
export async function mergePdfs(chunks: PDFDocument[], title: string): Promise<Buffer> {
  const merged = await PDFDocument.create();
  merged.setTitle(title);
  merged.setProducer('Forecourt channel-letter');
  for (const chunk of chunks) {
    for (const page of await merged.copyPages(chunk, chunk.getPageIndices())) merged.addPage(page);
  }
  return Buffer.from(await merged.save());
}
