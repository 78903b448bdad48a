/** Domain events and their serialization, the content-addressed context store, the L2 chain store. (Fleet issue.) */
package io.flotilla.persistence;
