import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { Page, PageQuery, pageOf } from '../common/pagination';
import { DataRoomAccess } from '../data-room/data-room.access';

export interface LetterBatchQuery extends PageQuery {
  from?: string;
  to?: string;
}

export interface LetterBatchView {
  id: string;
  date: string;
  fileName: string;
  pages: number;
  /** Letters in the file. */
  letters: number;
  costCents: number;
  createdAt: string;
}

export interface LetterBatchPdf {
  fileName: string;
  content: Buffer;
}

interface BatchRow {
  id: string;
  date: string;
  file_name: string;
  pages: number;
  letters: number;
  cost_cents: number;
  created_at: Date;
}

/**
 * The print files the letter channel produced (the dispatch worker keeps each batch artifact in
 * `dispatch_files`). Read only inside the caller's own data room: row-level security and the
 * explicit dealer condition both keep another dealer's files out of reach.
 */
@Injectable()
export class LettersService {
  constructor(private readonly dataRoom: DataRoomAccess) {}

  list(principal: Principal, dealerId: string, query: LetterBatchQuery): Promise<Page<LetterBatchView>> {
    return this.dataRoom.run(principal, dealerId, 'read', async (m) => {
      const where = [`dealer_id = $1`, `channel = 'letter'`];
      const params: unknown[] = [dealerId];
      if (query.from) where.push(`date >= $${params.push(query.from)}`);
      if (query.to) where.push(`date <= $${params.push(query.to)}`);
      const [{ total }] = await m.query(`SELECT count(*)::int AS total FROM dispatch_files WHERE ${where.join(' AND ')}`, params);
      const rows: BatchRow[] = await m.query(
        `SELECT id, date, file_name, pages, cardinality(message_ids) AS letters, cost_cents, created_at
           FROM dispatch_files WHERE ${where.join(' AND ')}
          ORDER BY date DESC, created_at DESC, id
          LIMIT $${params.push(query.pageSize)} OFFSET $${params.push((query.page - 1) * query.pageSize)}`,
        params,
      );
      return pageOf(rows.map(batchView), total, query);
    });
  }

  /** The caller's own dealer's file; any other id, including another dealer's, is not found. */
  pdf(principal: Principal, batchId: string): Promise<LetterBatchPdf> {
    const dealerId = principal.dealerId;
    if (!dealerId) throw new ForbiddenException(`a ${principal.role} does not see dealers' print files`);
    return this.dataRoom.run(principal, dealerId, 'read', async (m) => {
      const [row] = await m.query(`SELECT file_name, content FROM dispatch_files WHERE id = $1 AND dealer_id = $2 AND channel = 'letter'`, [
        batchId,
        dealerId,
      ]);
      if (!row) throw new NotFoundException('letter batch not found');
      return { fileName: row.file_name, content: row.content };
    });
  }
}

function batchView(row: BatchRow): LetterBatchView {
  return {
    id: row.id,
    date: row.date,
    fileName: row.file_name,
    pages: row.pages,
    letters: row.letters ?? 0,
    costCents: row.cost_cents,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
