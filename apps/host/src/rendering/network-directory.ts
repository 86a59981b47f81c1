import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BrandTheme } from '../network/brands/brand.entity';
import { cachedFor, LruCache, TimedEntry } from './lru';
import { RenderDealer } from './render-data';

export interface DirectoryBrand {
  id: string;
  name: string;
  theme: Partial<BrandTheme> | null;
}

/** A change of a brand's theme or a dealer's details reaches messages after at most this long. */
const TTL_MS = 30_000;

type Entry<T> = TimedEntry<T>;

/**
 * Brands and dealers as rendering needs them, read from the database and kept briefly: a run
 * renders thousands of messages for a handful of dealers and brands.
 */
@Injectable()
export class NetworkDirectory {
  private readonly dealers = new LruCache<string, Entry<RenderDealer | undefined>>(2_000);
  private readonly firstBrands = new LruCache<string, Entry<string | undefined>>(2_000);
  private brands?: Entry<Map<string, DirectoryBrand>>;

  constructor(private readonly dataSource: DataSource) {}

  dealer(id: string): Promise<RenderDealer | undefined> {
    return cached(this.dealers, id, async () => {
      const [row] = await this.dataSource.query(
        'SELECT id, name, email, phone, address, sender_name, timezone FROM dealers WHERE id = $1',
        [id],
      );
      return row
        ? { id: row.id, name: row.name, email: row.email, phone: row.phone, address: row.address, senderName: row.sender_name, timezone: row.timezone }
        : undefined;
    });
  }

  /** The brand a message wears when it names none: the dealer's first brand. */
  firstBrandOf(dealerId: string): Promise<string | undefined> {
    return cached(this.firstBrands, dealerId, async () => {
      const [row] = await this.dataSource.query(
        'SELECT b.id FROM dealer_brands db JOIN brands b ON b.id = db.brand_id WHERE db.dealer_id = $1 ORDER BY b.created_at, b.id LIMIT 1',
        [dealerId],
      );
      return row?.id;
    });
  }

  /** Every brand (a network has a handful): themes, and names for `vehicle.brand`. */
  allBrands(): Promise<Map<string, DirectoryBrand>> {
    if (!this.brands || Date.now() - this.brands.at > TTL_MS) {
      const value = this.dataSource
        .query('SELECT id, name, theme FROM brands')
        .then((rows: DirectoryBrand[]) => new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, theme: r.theme }])));
      const entry = { at: Date.now(), value };
      value.catch(() => {
        if (this.brands === entry) this.brands = undefined;
      });
      this.brands = entry;
    }
    return this.brands.value;
  }
}

function cached<T>(cache: LruCache<string, Entry<T>>, key: string, load: () => Promise<T>): Promise<T> {
  return cachedFor(cache, key, TTL_MS, load);
}
