"""Use cases behind the JSON API (`web/api`): personal access tokens and the API's own views
of the week. The operations themselves call the same functions as the pages."""
