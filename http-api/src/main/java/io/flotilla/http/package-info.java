/** The Octez-style HTTP API. (Fleet issue.) */
package io.flotilla.http;
