ALTER TABLE "spans" ADD COLUMN "ttft_ms" double precision;--> statement-breakpoint
ALTER TABLE "spans" ADD COLUMN "sample_weight" double precision;--> statement-breakpoint
ALTER TABLE "traces" ADD COLUMN "ttft_ms" double precision;--> statement-breakpoint
ALTER TABLE "traces" ADD COLUMN "sample_weight" double precision DEFAULT 1 NOT NULL;