-- Undo 0013_annotation_queues.
DROP TABLE IF EXISTS annotation_queue_items;
DROP TABLE IF EXISTS annotation_queues;
