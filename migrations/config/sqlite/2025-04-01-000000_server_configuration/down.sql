DROP TABLE server_configuration;
