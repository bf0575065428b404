/** Thin Spark entry points over the common library, and the command-line launcher. */
package org.tinybert.jobs;
