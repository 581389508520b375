package dev.asynclocal.kotlin.probe

import dev.asynclocal.AsyncLocalStorage
import dev.asynclocal.kotlin.AsyncContextElement
import dev.asynclocal.kotlin.asContextElement
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext

/**
 * Runs in a JVM whose module path holds the core, asynclocal-kotlin and kotlinx.coroutines; it is
 * on the class path itself, so it lives outside their packages (a package cannot be split between
 * a module and the class path).
 */
object ModulePathProbe {
    private val VALUE = AsyncLocalStorage<String>("module-path-value")

    @JvmStatic
    fun main(args: Array<String>) {
        println(AsyncLocalStorage::class.java.module)
        println(AsyncContextElement::class.java.module)
        val seen = runBlocking(VALUE.asContextElement("on the module path")) {
            withContext(Dispatchers.Default) { VALUE.getStore() }
        }
        println("after the hop: $seen")
    }
}
