import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Everything the preference center shows about the customer a message went to, read in one round
 * trip: the function sets the message's dealer for row-level security itself (as TenantDb does,
 * local to the transaction; a lone call is its own transaction), so a page view costs one
 * statement instead of BEGIN, set_config, the query and COMMIT. The tables stay behind their
 * dealer walls: the function runs with the caller's rights.
 *
 * `version` names the ledger state (entries and the newest one's recording time, in
 * microseconds), so a form rendered from an older state is recognised when it comes back.
 */
export class PreferenceState1733600000001 implements MigrationInterface {
  name = 'PreferenceState1733600000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION forecourt_preference_state(p_dealer uuid, p_message uuid) RETURNS json
      LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
      BEGIN
        PERFORM set_config('forecourt.dealer_id', p_dealer::text, true);
        RETURN (
          SELECT json_build_object(
                   'customerId', c.id, 'customerExternalId', c.external_id, 'email', c.email, 'phone', c.phone,
                   'messageLocale', m.locale, 'customerLocale', c.locale, 'dealerLocale', d.locale, 'dealerName', d.name,
                   'brandId', m.brand_id, 'messageChannel', m.channel,
                   'vehicles', (SELECT coalesce(json_agg(json_build_object('id', v.id, 'externalId', v.external_id, 'model', v.model, 'plate', v.license_plate)
                                         ORDER BY v.license_plate, v.id), '[]'::json)
                                  FROM vehicles v WHERE v.dealer_id = p_dealer AND v.customer_id = c.id),
                   'ledger', (SELECT json_build_object(
                                'entries', coalesce(json_agg(json_build_object('channel', e.channel, 'purpose', e.purpose, 'vehicleId', e.vehicle_id,
                                  'granted', e.granted, 'source', e.source, 'actedAt', e.acted_at, 'recordedAt', e.recorded_at)), '[]'::json),
                                'version', count(*) || '.' || coalesce((extract(epoch FROM max(e.recorded_at)) * 1000000)::bigint, 0))
                                FROM consents e WHERE e.dealer_id = p_dealer AND e.customer_id = c.id))
            FROM messages m
            JOIN customers c ON c.dealer_id = m.dealer_id AND c.id = m.customer_id
            JOIN dealers d ON d.id = m.dealer_id
           WHERE m.dealer_id = p_dealer AND m.id = p_message);
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION forecourt_preference_state(uuid, uuid)');
  }
}
