-- Undo 0009_prompt_hub.
DROP TABLE IF EXISTS prompt_likes;
DROP TABLE IF EXISTS prompt_tags;
DROP TABLE IF EXISTS prompt_commits;
DROP TABLE IF EXISTS prompt_repos;
