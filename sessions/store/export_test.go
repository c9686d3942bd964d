package store

// Unavailable is unavailable, for the external tests.
var Unavailable = unavailable
