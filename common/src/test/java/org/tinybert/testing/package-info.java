/** Test support: the golden fixtures and tensor comparisons with their tolerances. */
package org.tinybert.testing;
