DROP TABLE background_tasks;
DROP TABLE products;
