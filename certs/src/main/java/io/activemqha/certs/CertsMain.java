package io.activemqha.certs;

public final class CertsMain {
    public static void main(String[] args) {
        System.out.println("placeholder");
    }
}
