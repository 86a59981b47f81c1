import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableDealerWall } from './dealer-wall';

/**
 * The studio's templates. A master is one (service, step, channel, locale) for the whole network;
 * brand admins edit its draft and publish immutable versions, and every dealer renders the
 * published one in its brand's theme. `edited` turns true at the first save by a person, after
 * which a new shipped version no longer replaces it (first boot and upgrades import the shipped
 * files, see TemplateImporter). A dealer's slot values live in its data room.
 */
export class Templates1733200000000 implements MigrationInterface {
  name = 'Templates1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        service text NOT NULL,
        step text NOT NULL,
        channel text NOT NULL,
        locale text NOT NULL,
        format text NOT NULL CHECK (format IN ('mjml', 'html', 'text')),
        name text NOT NULL,
        description text,
        draft_body text NOT NULL,
        draft_subject text,
        draft_slots jsonb NOT NULL DEFAULT '[]',
        draft_updated_at timestamptz NOT NULL DEFAULT now(),
        draft_updated_by text NOT NULL,
        published_version integer,
        edited boolean NOT NULL DEFAULT false,
        shipped_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (service, step, channel, locale)
      );
      CREATE TABLE template_versions (
        template_id uuid NOT NULL REFERENCES templates(id),
        version integer NOT NULL CHECK (version > 0),
        body text NOT NULL,
        subject text,
        slots jsonb NOT NULL DEFAULT '[]',
        published_at timestamptz NOT NULL DEFAULT now(),
        published_by text NOT NULL,
        restored_from integer,
        PRIMARY KEY (template_id, version)
      );
      ALTER TABLE templates ADD FOREIGN KEY (id, published_version) REFERENCES template_versions (template_id, version) DEFERRABLE INITIALLY DEFERRED;

      -- A published version is what dealers' messages were rendered from: it never changes.
      CREATE FUNCTION forecourt_template_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'template versions are immutable: publish a new version instead';
        RETURN NULL;
      END $$;
      CREATE TRIGGER template_versions_immutable BEFORE UPDATE OR DELETE ON template_versions
        FOR EACH ROW EXECUTE FUNCTION forecourt_template_version_immutable();

      CREATE TABLE dealer_template_slots (
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        template_id uuid NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        "values" jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL,
        PRIMARY KEY (dealer_id, template_id)
      );
    `);
    await enableDealerWall(q, 'dealer_template_slots');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE dealer_template_slots;
      DROP TABLE template_versions CASCADE;
      DROP TABLE templates;
      DROP FUNCTION forecourt_template_version_immutable();
    `);
  }
}
