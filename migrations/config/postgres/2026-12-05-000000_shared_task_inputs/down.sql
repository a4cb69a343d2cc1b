DROP TABLE task_inputs;
ALTER TABLE background_tasks DROP COLUMN input_shared;
