DROP TABLE facts_generation;
