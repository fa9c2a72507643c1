CREATE TABLE "display_playlists" (
	"id" serial PRIMARY KEY NOT NULL,
	"unit_code" text NOT NULL,
	"name" text NOT NULL,
	"slides" text NOT NULL,
	"created_by" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
