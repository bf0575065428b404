/**
 * Hadoop FileSystem paths, atomic writes, checkpoint stores, run manifests, the hold a run takes on its output, and
 * {@link org.tinybert.io.TableFormat}, the file formats a table is read in (infer's and task files').
 */
package org.tinybert.io;
