"""The police dashboard: the officer's jurisdiction view (掌上查询) and the station chief's / analyst's charts."""
