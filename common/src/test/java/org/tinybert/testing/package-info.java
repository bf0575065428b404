/** Test support: the golden fixture sets, tiny classifiers cut from them, and tensor comparisons with their tolerances. */
package org.tinybert.testing;
