"""create initial schema

Revision ID: 0001
Revises:
Create Date: 2026-12-04 21:38:16.794734
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("election_kind", sa.String(length=40), nullable=False),
        sa.Column("first_round_on", sa.Date(), nullable=True),
        sa.Column("second_round_on", sa.Date(), nullable=True),
        sa.Column("commune_codes", sa.JSON(), nullable=False),
        sa.Column("our_candidates", sa.JSON(), nullable=False),
        sa.Column("reference_election", sa.String(length=40), nullable=False),
        sa.Column("sms_sender_name", sa.String(length=11), nullable=False),
        sa.Column("retention_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "communes",
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_communes")),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "succeeded",
                "failed",
                name="jobstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("progress_pct", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    op.create_table(
        "street_ways",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("osm_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("highway", sa.String(length=40), nullable=False),
        sa.Column("coordinates", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_ways")),
        sa.UniqueConstraint("osm_id", name=op.f("uq_street_ways_osm_id")),
    )
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("email", "sms", name="channel", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppressions")),
        sa.UniqueConstraint("channel", "address", name=op.f("uq_suppressions_channel_address")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("phone_e164", sa.String(length=20), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=60), nullable=False),
        sa.Column("object_id", sa.String(length=60), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_audit_events_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_table(
        "availability_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_availability_slots_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_slots")),
    )
    with op.batch_alter_table("availability_slots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_availability_slots_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("canvass_messages", name="consentpurpose", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum("email", "sms", name="channel", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("is_granted", sa.Boolean(), nullable=False),
        sa.Column("wording_version", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_consents_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consents_user_id"), ["user_id"], unique=False)

    op.create_table(
        "iris",
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("median_income_eur", sa.Integer(), nullable=True),
        sa.Column("poverty_rate_pct", sa.Float(), nullable=True),
        sa.Column("households", sa.Float(), nullable=False),
        sa.Column("individuals", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_code"], ["communes.code"], name=op.f("fk_iris_commune_code_communes")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_iris")),
    )
    with op.batch_alter_table("iris", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_iris_commune_code"), ["commune_code"], unique=False)

    op.create_table(
        "left_out_volunteers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_left_out_volunteers_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_left_out_volunteers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_left_out_volunteers")),
        sa.UniqueConstraint(
            "campaign_id", "user_id", name=op.f("uq_left_out_volunteers_campaign_id_user_id")
        ),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "volunteer",
                "coordinator",
                "administrator",
                name="role",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_memberships_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "user_id", "campaign_id", name=op.f("uq_memberships_user_id_campaign_id")
        ),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("email", "sms", name="channel", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column(
            "purpose",
            sa.Enum(
                "assignment_confirmation",
                "session_reminder",
                name="messagepurpose",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "sending",
                "sent",
                "delivered",
                "failed",
                "suppressed",
                name="messagestatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("provider_id", sa.String(length=100), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("send_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_messages_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_messages_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_messages_idempotency_key")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_messages_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_messages_user_id"), ["user_id"], unique=False)

    op.create_table(
        "polling_stations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["communes.code"],
            name=op.f("fk_polling_stations_commune_code_communes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polling_stations")),
        sa.UniqueConstraint(
            "commune_code", "number", name=op.f("uq_polling_stations_commune_code_number")
        ),
    )
    op.create_table(
        "addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ban_id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("suffix", sa.String(length=20), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postcode", sa.String(length=5), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("iris_code", sa.String(length=9), nullable=True),
        sa.Column("polling_station_id", sa.Integer(), nullable=True),
        sa.Column("station_source", sa.String(length=20), nullable=True),
        sa.Column("dwellings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_code"], ["communes.code"], name=op.f("fk_addresses_commune_code_communes")
        ),
        sa.ForeignKeyConstraint(
            ["iris_code"], ["iris.code"], name=op.f("fk_addresses_iris_code_iris")
        ),
        sa.ForeignKeyConstraint(
            ["polling_station_id"],
            ["polling_stations.id"],
            name=op.f("fk_addresses_polling_station_id_polling_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
        sa.UniqueConstraint("ban_id", name=op.f("uq_addresses_ban_id")),
    )
    with op.batch_alter_table("addresses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_addresses_commune_code"), ["commune_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_addresses_iris_code"), ["iris_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_addresses_polling_station_id"), ["polling_station_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_addresses_street"), ["street"], unique=False)

    op.create_table(
        "canvass_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("meeting_point_label", sa.String(length=300), nullable=False),
        sa.Column("meeting_lon", sa.Float(), nullable=False),
        sa.Column("meeting_lat", sa.Float(), nullable=False),
        sa.Column("iris_code", sa.String(length=9), nullable=False),
        sa.Column("min_volunteers", sa.Integer(), nullable=False),
        sa.Column("max_volunteers", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned", "cancelled", "done", name="sessionstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_canvass_sessions_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["iris_code"], ["iris.code"], name=op.f("fk_canvass_sessions_iris_code_iris")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canvass_sessions")),
    )
    with op.batch_alter_table("canvass_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_canvass_sessions_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "election_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("polling_station_id", sa.Integer(), nullable=False),
        sa.Column("election", sa.String(length=40), nullable=False),
        sa.Column("registered", sa.Integer(), nullable=False),
        sa.Column("abstentions", sa.Integer(), nullable=False),
        sa.Column("voters", sa.Integer(), nullable=False),
        sa.Column("blank", sa.Integer(), nullable=False),
        sa.Column("null", sa.Integer(), nullable=False),
        sa.Column("expressed", sa.Integer(), nullable=False),
        sa.Column("votes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["polling_station_id"],
            ["polling_stations.id"],
            name=op.f("fk_election_results_polling_station_id_polling_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election_results")),
        sa.UniqueConstraint(
            "polling_station_id",
            "election",
            name=op.f("uq_election_results_polling_station_id_election"),
        ),
    )
    op.create_table(
        "grid_squares",
        sa.Column("inspire_id", sa.String(length=40), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("iris_code", sa.String(length=9), nullable=True),
        sa.Column("individuals", sa.Float(), nullable=False),
        sa.Column("households", sa.Float(), nullable=False),
        sa.Column("poor_households", sa.Float(), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["iris_code"], ["iris.code"], name=op.f("fk_grid_squares_iris_code_iris")
        ),
        sa.PrimaryKeyConstraint("inspire_id", name=op.f("pk_grid_squares")),
    )
    with op.batch_alter_table("grid_squares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_squares_iris_code"), ["iris_code"], unique=False)

    op.create_table(
        "iris_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("iris_code", sa.String(length=9), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("registered", sa.Float(), nullable=False),
        sa.Column("abstentions", sa.Float(), nullable=False),
        sa.Column("expressed", sa.Float(), nullable=False),
        sa.Column("our_votes", sa.Float(), nullable=False),
        sa.Column("potential", sa.Float(), nullable=False),
        sa.Column("households", sa.Float(), nullable=False),
        sa.Column("is_suppressed", sa.Boolean(), nullable=False),
        sa.Column("contributions", sa.JSON(), nullable=False),
        sa.Column("is_target", sa.Boolean(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_iris_scores_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["iris_code"], ["iris.code"], name=op.f("fk_iris_scores_iris_code_iris")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iris_scores")),
        sa.UniqueConstraint(
            "campaign_id", "iris_code", name=op.f("uq_iris_scores_campaign_id_iris_code")
        ),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "confirmed",
                "declined",
                "attended",
                name="assignmentstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("is_locked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["canvass_sessions.id"],
            name=op.f("fk_assignments_session_id_canvass_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_assignments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint(
            "session_id", "user_id", name=op.f("uq_assignments_session_id_user_id")
        ),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_user_id"), ["user_id"], unique=False)

    op.create_table(
        "routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.Integer(), nullable=False),
        sa.Column("address_ids", sa.JSON(), nullable=False),
        sa.Column("path", sa.JSON(), nullable=False),
        sa.Column("length_m", sa.Integer(), nullable=False),
        sa.Column("walking_minutes", sa.Float(), nullable=False),
        sa.Column("total_minutes", sa.Float(), nullable=False),
        sa.Column("door_count", sa.Integer(), nullable=False),
        sa.Column("access_token", sa.String(length=64), nullable=False),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["canvass_sessions.id"],
            name=op.f("fk_routes_session_id_canvass_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routes")),
        sa.UniqueConstraint("access_token", name=op.f("uq_routes_access_token")),
        sa.UniqueConstraint("session_id", "team", name=op.f("uq_routes_session_id_team")),
    )
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routes_session_id"), ["session_id"], unique=False)

    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("iris_code", sa.String(length=9), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["iris_code"], ["iris.code"], name=op.f("fk_survey_responses_iris_code_iris")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["canvass_sessions.id"],
            name=op.f("fk_survey_responses_session_id_canvass_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_responses_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "volunteer_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("home_address_id", sa.Integer(), nullable=True),
        sa.Column("home_postcode", sa.String(length=5), nullable=True),
        sa.Column("home_lon", sa.Float(), nullable=True),
        sa.Column("home_lat", sa.Float(), nullable=True),
        sa.Column("is_experienced", sa.Boolean(), nullable=False),
        sa.Column("max_distance_m", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["home_address_id"],
            ["addresses.id"],
            name=op.f("fk_volunteer_profiles_home_address_id_addresses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_volunteer_profiles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_volunteer_profiles")),
    )
    op.create_table(
        "door_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("address_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "absent",
                "opened",
                "refused",
                "conversation",
                "come_back",
                "inaccessible",
                name="dooroutcome",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["address_id"], ["addresses.id"], name=op.f("fk_door_visits_address_id_addresses")
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["routes.id"],
            name=op.f("fk_door_visits_route_id_routes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_door_visits")),
    )
    with op.batch_alter_table("door_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_door_visits_route_id"), ["route_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("door_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_door_visits_route_id"))

    op.drop_table("door_visits")
    op.drop_table("volunteer_profiles")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_responses_session_id"))

    op.drop_table("survey_responses")
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routes_session_id"))

    op.drop_table("routes")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_user_id"))
        batch_op.drop_index(batch_op.f("ix_assignments_session_id"))

    op.drop_table("assignments")
    op.drop_table("iris_scores")
    with op.batch_alter_table("grid_squares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_squares_iris_code"))

    op.drop_table("grid_squares")
    op.drop_table("election_results")
    with op.batch_alter_table("canvass_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_canvass_sessions_campaign_id"))

    op.drop_table("canvass_sessions")
    with op.batch_alter_table("addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_addresses_street"))
        batch_op.drop_index(batch_op.f("ix_addresses_polling_station_id"))
        batch_op.drop_index(batch_op.f("ix_addresses_iris_code"))
        batch_op.drop_index(batch_op.f("ix_addresses_commune_code"))

    op.drop_table("addresses")
    op.drop_table("polling_stations")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_user_id"))
        batch_op.drop_index(batch_op.f("ix_messages_status"))
        batch_op.drop_index(batch_op.f("ix_messages_campaign_id"))

    op.drop_table("messages")
    op.drop_table("memberships")
    op.drop_table("left_out_volunteers")
    with op.batch_alter_table("iris", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_iris_commune_code"))

    op.drop_table("iris")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_user_id"))

    op.drop_table("consents")
    with op.batch_alter_table("availability_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availability_slots_user_id"))

    op.drop_table("availability_slots")
    op.drop_table("audit_events")
    op.drop_table("users")
    op.drop_table("suppressions")
    op.drop_table("street_ways")
    op.drop_table("job_runs")
    op.drop_table("communes")
    op.drop_table("campaigns")
