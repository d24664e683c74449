/// <reference lib="dom" />
/**
 * The chat demo page (`GET /`).
 *
 * @module
 */
