import { HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { deriveKey, FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { User } from '../network/users/user.entity';
import { DUMMY_HASH, verifyPassword } from './password';
import { Principal } from './principal';

const TOKEN_TTL_SECONDS = 12 * 3600;
const THROTTLE_WINDOW_MINUTES = 15;
const MAX_FAILURES_PER_EMAIL = 5;
const MAX_FAILURES_PER_IP = 30;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newApiKey(): { key: string; prefix: string } {
  const key = `fck_${randomBytes(24).toString('base64url')}`;
  return { key, prefix: key.slice(0, 10) };
}

@Injectable()
export class AuthService {
  private readonly sessionKey: Buffer;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(FORECOURT_CONFIG) config: ForecourtConfig,
  ) {
    this.sessionKey = deriveKey(config, 'session');
  }

  /**
   * Failed attempts are counted in the database, so throttling holds across API processes.
   * A success resets the count for that email.
   */
  async login(email: string, password: string, ip: string): Promise<{ accessToken: string; user: User }> {
    const attemptId = await this.recordAttempt(email, ip);
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .leftJoinAndSelect('u.brands', 'b')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!ok || !user) throw new UnauthorizedException('email or password is wrong');
    await this.dataSource.query(`UPDATE login_attempts SET succeeded = true WHERE id = $1`, [attemptId]);
    await this.dataSource.query(`UPDATE users SET last_login_at = now() WHERE id = $1`, [user.id]);
    const accessToken = jwt.sign({ sub: user.id }, this.sessionKey, {
      algorithm: 'HS256',
      expiresIn: TOKEN_TTL_SECONDS,
      issuer: 'forecourt',
    });
    return { accessToken, user };
  }

  /**
   * Checks the throttle and records the attempt as failed (until the password proves right) under
   * a lock per email: were the check and the record apart, concurrent guesses would all pass the
   * check before any of them was counted. The per-IP limit stays approximate, so that people behind
   * one address are not made to queue.
   */
  private async recordAttempt(email: string, ip: string): Promise<string> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(74202, hashtext(lower($1)))', [email]);
      const [row] = await m.query(
        `SELECT
           (SELECT count(*) FROM login_attempts a
             WHERE lower(a.email) = lower($1) AND NOT a.succeeded AND a.at > now() - make_interval(mins => $3)
               AND a.at > coalesce((SELECT max(s.at) FROM login_attempts s WHERE lower(s.email) = lower($1) AND s.succeeded), '-infinity'))
             AS by_email,
           (SELECT count(*) FROM login_attempts a
             WHERE a.ip = $2 AND NOT a.succeeded AND a.at > now() - make_interval(mins => $3)) AS by_ip`,
        [email, ip, THROTTLE_WINDOW_MINUTES],
      );
      if (Number(row.by_email) >= MAX_FAILURES_PER_EMAIL || Number(row.by_ip) >= MAX_FAILURES_PER_IP) {
        throw new HttpException(
          { title: 'Too Many Requests', detail: `too many failed logins; try again in ${THROTTLE_WINDOW_MINUTES} minutes` },
          HttpStatus.TOO_MANY_REQUESTS,
        );
      }
      const [attempt] = await m.query(`INSERT INTO login_attempts (email, ip, succeeded) VALUES ($1, $2, false) RETURNING id`, [
        email.toLowerCase(),
        ip,
      ]);
      return attempt.id;
    });
  }

  async principalFromToken(token: string): Promise<Principal> {
    let userId: string;
    try {
      const payload = jwt.verify(token, this.sessionKey, { algorithms: ['HS256'], issuer: 'forecourt' }) as { sub: string };
      userId = payload.sub;
    } catch {
      throw new UnauthorizedException('the access token is invalid or expired');
    }
    const user = await this.dataSource.getRepository(User).findOne({ where: { id: userId }, relations: { brands: true } });
    if (!user) throw new UnauthorizedException('the access token is invalid or expired');
    return {
      kind: 'user',
      id: user.id,
      label: user.email,
      role: user.role,
      brandIds: user.brands.map((b) => b.id),
      dealerId: user.dealerId ?? undefined,
    };
  }

  async principalFromApiKey(key: string): Promise<Principal> {
    // TypeORM answers UPDATE … RETURNING with [rows, rowCount].
    const [[row]] = await this.dataSource.query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE key_hash = $1 AND revoked_at IS NULL
        RETURNING id, dealer_id AS "dealerId", prefix`,
      [hashApiKey(key)],
    );
    if (!row) throw new UnauthorizedException('the API key is invalid or revoked');
    return { kind: 'api-key', id: row.id, label: `api-key ${row.prefix}…`, role: 'api-key', brandIds: [], dealerId: row.dealerId };
  }
}
