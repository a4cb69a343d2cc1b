DROP TABLE store_receipts;
