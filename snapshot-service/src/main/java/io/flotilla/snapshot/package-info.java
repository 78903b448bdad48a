/** Snapshot export, import, info and hosting. (Snapshot issue.) */
package io.flotilla.snapshot;
